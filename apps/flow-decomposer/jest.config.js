module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'flow-decomposer',
  rootDir: __dirname
};
