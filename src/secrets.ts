import { sdkConfig, type AwsClientOptions } from './aws-clients.js';
import { ConfigError, loadConfig, loadSecretParameters, type Config, type Env, type LoadedSecrets, type SecretParameters } from './config.js';

/**
 * Reads the secrets named by their SSM parameters, with one GetParameters call (SecureStrings
 * decrypted). Called once per cold start: the values then live in the handler's configuration.
 * A parameter that does not exist is a {@link ConfigError} naming its variable.
 */
export async function readSecrets({ names, ssmEndpoint }: SecretParameters, clientOptions: Omit<AwsClientOptions, 'endpoint'> = {}): Promise<LoadedSecrets> {
  const wanted = Object.entries(names) as [keyof LoadedSecrets, string][];
  if (wanted.length === 0) return {};
  // Imported only when a parameter is named: the local stack and tests that pass values directly skip the SSM client.
  const { SSMClient, GetParametersCommand } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient(sdkConfig({ ...clientOptions, endpoint: ssmEndpoint }));
  try {
    const answer = await client.send(new GetParametersCommand({ Names: wanted.map(([, parameter]) => parameter), WithDecryption: true }));
    const values = new Map((answer.Parameters ?? []).map((parameter) => [parameter.Name, parameter.Value]));
    const loaded: LoadedSecrets = {};
    for (const [name, parameter] of wanted) {
      const value = values.get(parameter);
      if (value === undefined) throw new ConfigError(`${name}_PARAMETER names the SSM parameter ${parameter}, which does not exist (Terraform creates it)`);
      loaded[name] = value;
    }
    return loaded;
  } finally {
    client.destroy();
  }
}

/** The function's configuration with its secrets read from SSM: what a cold start does. */
export async function loadConfigWithSecrets(env: Env, clientOptions: Omit<AwsClientOptions, 'endpoint'> = {}): Promise<Config> {
  return loadConfig(env, await readSecrets(loadSecretParameters(env), clientOptions));
}
