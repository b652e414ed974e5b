module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'adapters',
  rootDir: __dirname
};
