import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { routeAuthRequirement } from '../auth';
import { PEERTUBE_API_VERSION } from '../server-config/server-config.service';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document';
import { RouteCatalog } from './route-catalog';

/** The OpenAPI document of this server, built once from the registered routes (they don't change while it runs). */
@Injectable()
export class ApiDocsService {
  private doc: OpenApiDocument | null = null;

  constructor(
    private readonly catalog: RouteCatalog,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  document(): OpenApiDocument {
    this.doc ??= buildOpenApiDocument(
      this.catalog.routes(),
      { title: `${this.config.instance.name} (Flotilla)`, version: PEERTUBE_API_VERSION, serverUrl: this.config.webserverUrl },
      (route) => routeAuthRequirement(route.handler, route.controllerType),
    );
    return this.doc;
  }
}
