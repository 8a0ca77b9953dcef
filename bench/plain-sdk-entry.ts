// The baseline for the cold-import row: the same DynamoDB calls with a plainly bundled SDK.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (key: string) => {
  await documents.send(new PutCommand({ TableName: 't', Item: { request_id: key } }));
  await documents.send(new UpdateCommand({ TableName: 't', Key: { request_id: key }, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': 1 } }));
  return documents.send(new GetCommand({ TableName: 't', Key: { request_id: key } }));
};
