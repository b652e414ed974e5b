module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'core-config',
  rootDir: __dirname
};
