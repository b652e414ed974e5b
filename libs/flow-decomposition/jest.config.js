module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'flow-decomposition',
  rootDir: __dirname
};
