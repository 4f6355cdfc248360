import { Controller, Get, Query } from '@nestjs/common';
import { text, type TranscodingAvailability } from '@flotilla/shared';
import { z } from 'zod';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../auth';
import { RunnerAvailabilityService } from './runner-availability.service';

const availabilityQuery = z.object({ videoUUID: text().regex(/^[0-9a-f-]{36}$/i, 'must be a UUID').optional() });

/**
 * Flotilla's own route (PeerTube has none): why transcoding waits. Any logged-in user may ask —
 * owners see it on the upload and my-videos pages; it tells counts, never runner names or tokens.
 */
@Controller('api/v1/runners/availability')
export class RunnerAvailabilityController {
  constructor(private readonly service: RunnerAvailabilityService) {}

  @Get()
  @Authenticated()
  get(@Query(zod(availabilityQuery)) q: z.infer<typeof availabilityQuery>): Promise<TranscodingAvailability> {
    return this.service.availability(q.videoUUID);
  }
}
