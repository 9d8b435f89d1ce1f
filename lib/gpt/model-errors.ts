/**
 * What can be wrong with a model directory, one class per problem, so the app and the CLI can react to
 * each (the CLI exits 2 on all of them; the app tells a missing file from a broken one). Every message
 * names the file, says what is wrong and what to do next.
 *
 * config.json problems are ConfigError (config.ts), tokenizer.json problems TokenizerError
 * (tokenizer.ts), and tensors that do not fit the config WeightsError (params.ts): those also guard
 * values that never came from a file.
 */

/** Any problem loading a model's files. Subclasses say which. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** A file is missing or cannot be read (HTTP status, network failure, file system error). */
export class ModelFileError extends ModelLoadError {
  override name = 'ModelFileError';
}

/** The server answered 404 or 410: the files are not on this site (a retry will not help). */
export class ModelMissingError extends ModelFileError {
  override name = 'ModelMissingError';
}

/** A file is not valid JSON. */
export class ModelJsonError extends ModelLoadError {
  override name = 'ModelJsonError';
}

/** model.json is not a weights manifest: a missing list, a null or malformed entry, a missing or repeated name. */
export class ManifestError extends ModelLoadError {
  override name = 'ManifestError';
}

/** A tensor's shape is not a list of non-negative integers. */
export class ShapeError extends ModelLoadError {
  override name = 'ShapeError';
}

/** A tensor is stored as something other than float32 or float16. */
export class DtypeError extends ModelLoadError {
  override name = 'DtypeError';
}

/** A weights path in model.json points outside the model folder (or is not a plain relative file name). */
export class ManifestPathError extends ModelLoadError {
  override name = 'ManifestPathError';
}

/** The weights files hold a different number of bytes than model.json's shapes and dtypes describe. */
export class WeightsSizeError extends ModelLoadError {
  override name = 'WeightsSizeError';
}

/** A weight is NaN or ±Infinity in the file: the file is damaged (a backend's own overflow is NonFiniteLogitsError). */
export class NonFiniteWeightsError extends ModelLoadError {
  override name = 'NonFiniteWeightsError';
}

/** tokenizer.json and config.json disagree on the vocabulary size. */
export class VocabSizeError extends ModelLoadError {
  override name = 'VocabSizeError';
}

/** Said after each problem with the files themselves: the one fix that always works. */
export const REEXPORT_HINT = 'Re-export the model (node --import tsx scripts/export-model.ts) or restore the folder from the repository.';
