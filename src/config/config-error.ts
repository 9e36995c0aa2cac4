/** A configuration value that does not meet its contract; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
