// @qkd-macsec/rotator as a library: the config loader and its resolved types.
export * from './config/index.js';
