import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiDocsController } from './api-docs.controller';
import { ApiDocsService } from './api-docs.service';
import { RouteCatalog } from './route-catalog';

/** `GET /api/v1/openapi.json`: the OpenAPI document built from the routes' own zod schemas. */
@Module({ imports: [DiscoveryModule], controllers: [ApiDocsController], providers: [ApiDocsService, RouteCatalog] })
export class ApiDocsModule {}
