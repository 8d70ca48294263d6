/** The package version, read from package.json at build time (tsup inlines the JSON). */
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
