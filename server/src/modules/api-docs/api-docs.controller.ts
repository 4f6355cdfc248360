import { Controller, Get } from '@nestjs/common';
import { ApiDocsService } from './api-docs.service';

@Controller('api/v1')
export class ApiDocsController {
  constructor(private readonly docs: ApiDocsService) {}

  /** The OpenAPI 3.1 document of the routes this server serves. */
  @Get('openapi.json')
  openapi() {
    return this.docs.document();
  }
}
