import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import type { ZodType } from 'zod';
import { ErrorCode } from '@flotilla/shared';
import { AppError, type InvalidParam, type ParamLocation } from './app-error';

/** Parses a value with a zod schema; failures become a 400 naming each bad field. */
export function parseWith<T>(schema: ZodType<T>, value: unknown, location: ParamLocation): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const invalid: Record<string, InvalidParam> = {};
  for (const issue of result.error.issues) {
    const param = issue.path.join('.') || '(root)';
    if (!invalid[param]) invalid[param] = { location, msg: issue.message, param };
  }
  const first = Object.values(invalid)[0];
  throw new AppError(400, ErrorCode.INVALID_PARAMS, `Invalid ${first.param}: ${first.msg}`, { invalidParams: invalid });
}

/**
 * Validates one route argument. The schema stays readable on the pipe: the api-docs module reads it
 * from Nest's route metadata to build the OpenAPI document (no second copy of any schema).
 */
@Injectable()
export class ZodPipe<T> implements PipeTransform {
  constructor(readonly schema: ZodType<T>) {}
  transform(value: unknown, meta: ArgumentMetadata): T {
    const location: ParamLocation = meta.type === 'query' ? 'query' : meta.type === 'param' ? 'params' : 'body';
    return parseWith(this.schema, value, location);
  }
}

export const zod = <T>(schema: ZodType<T>) => new ZodPipe(schema);
