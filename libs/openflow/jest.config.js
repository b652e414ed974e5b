module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'openflow',
  rootDir: __dirname
};
