module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'config-tree',
  rootDir: __dirname
};
