module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'device-lifecycle',
  rootDir: __dirname
};
