import type { RequestLife } from './lifecycle.js';
import { MEMORY_MB } from './stack.js';

/**
 * Published on-demand prices, us-east-1, first tier, no free tier (checked November 2025 against
 * aws.amazon.com/api-gateway/pricing, /lambda/pricing and /dynamodb/pricing/on-demand).
 */
export const PRICES = {
  apiGatewayRestPerRequest: 3.5 / 1e6,
  lambdaPerRequest: 0.2 / 1e6,
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
} as const;

export interface CostBreakdown {
  apiGateway: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoWrites: number;
  dynamoReads: number;
  total: number;
}

const WRITES = /^(PutItem|UpdateItem|DeleteItem)/;
const READS = /^GetItem$/;

/**
 * Dollars per million requests like this one. Every item here is under 1 KB for writes and 4 KB
 * for reads (the bench checks), so a write is one WRU and a strongly consistent read one RRU.
 */
export function costPerMillion(life: RequestLife): CostBreakdown {
  const apiCalls = 1 + life.statusCalls;
  const executions = Object.values(life.executions);
  const lambdaRequests = executions.reduce((sum, entry) => sum + entry.count, 0);
  const billedSeconds = executions.reduce((sum, entry) => sum + entry.billedMs, 0) / 1000;
  const writes = Object.entries(life.dynamo).filter(([op]) => WRITES.test(op)).reduce((sum, [, n]) => sum + n, 0);
  const reads = Object.entries(life.dynamo).filter(([op]) => READS.test(op)).reduce((sum, [, n]) => sum + n, 0);
  const perRequest = {
    apiGateway: apiCalls * PRICES.apiGatewayRestPerRequest,
    lambdaRequests: lambdaRequests * PRICES.lambdaPerRequest,
    lambdaDuration: billedSeconds * (MEMORY_MB / 1024) * PRICES.lambdaArmPerGbSecond,
    dynamoWrites: writes * PRICES.dynamoPerWriteUnit,
    dynamoReads: reads * PRICES.dynamoPerReadUnit,
  };
  const million = Object.fromEntries(Object.entries(perRequest).map(([key, value]) => [key, value * 1e6])) as Omit<CostBreakdown, 'total'>;
  return { ...million, total: Object.values(million).reduce((sum, value) => sum + value, 0) };
}
