module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'adapter-agent',
  rootDir: __dirname
};
