/**
 * Registers every tfjs gradient and chained op (`x.square()`) with the engine.
 *
 * tfjs-core's Node entry registers neither, and its ESM files use extension-less
 * imports that plain Node cannot load, so tsup inlines these two modules into our
 * bundle (`noExternal` in tsup.config.ts). This is the only file allowed to import
 * from `@tensorflow/tfjs-core/dist/...`; it must be imported before anything else.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
