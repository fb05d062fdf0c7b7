// The coordinator's view of one site: resolved from `sites:` in the config file (config/).
export type { SiteConfig } from '../../config/types.js';
