module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'kafka-events',
  rootDir: __dirname
};
