/** The model core's public API. Node-only file I/O lives in './node-io' and is not re-exported here. */
export * from './config';
export * from './random';
export * from './tokenizer';
export * from './params';
export * from './ops';
export * from './kvcache';
export * from './kvcache-quantized';
export * from './kvcache-latent';
export * from './kvcache-policy';
export * from './kvcache-paged';
export * from './kvcache-spec';
export * from './svd';
export * from './attention';
export * from './forward';
export * from './loss';
export * from './evaluate';
export * from './sample';
export * from './trace';
export * from './generate';
export * from './generate-paged';
export * from './weights-io';
export {
  ModelFileError,
  ModelJsonError,
  ManifestError,
  ShapeError,
  DtypeError,
  ManifestPathError,
  WeightsSizeError,
  VocabSizeError,
  NonFiniteWeightsError,
} from './model-errors';
