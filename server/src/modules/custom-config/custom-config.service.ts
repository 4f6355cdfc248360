import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { logger } from '../../common/logger';
import type { CustomConfig, CustomConfigUpdate } from '@flotilla/shared';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ServerConfigService } from '../server-config/server-config.service';
import { CustomConfigRepository } from './custom-config.repository';

type Sections = Pick<AppConfig, 'instance' | 'signup' | 'user' | 'contact_form'>;

const SYNC_EVERY_MS = 5000;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * PeerTube's custom config: the instance settings an administrator edits in the UI (instance texts,
 * sign-up, default quotas), stored in `custom_config` and laid over the YAML values. The process's
 * config object is updated in place, so every reader (sign-up, /config, NodeInfo, the about page,
 * mail) sees a change at once, without a restart — the sections PeerTube also applies live.
 */
@Injectable()
export class CustomConfigService implements OnModuleInit, OnModuleDestroy {
  /** The YAML values, kept to lay the stored settings over and to go back to on DELETE. */
  private readonly fromFiles: Sections;
  /** When the applied row was saved (0: none): another server process's save shows as a change. */
  private appliedAt = 0;
  private poll: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: CustomConfigRepository,
    private readonly serverConfig: ServerConfigService,
  ) {
    this.fromFiles = clone({ instance: config.instance, signup: config.signup, user: config.user, contact_form: config.contact_form });
  }

  async onModuleInit(): Promise<void> {
    await this.sync();
    // Several server processes may share the database: each picks up another's save within seconds.
    this.poll = setInterval(() => void this.sync().catch((err: Error) => logger.warn({ err }, 'cannot read the custom config')), SYNC_EVERY_MS);
    this.poll.unref();
  }

  onModuleDestroy(): void {
    if (this.poll) clearInterval(this.poll);
  }

  /** Applies the stored row when it changed since the last apply (or always, after this process saved). */
  private async sync(force = false): Promise<void> {
    const row = await this.repo.read();
    const at = row ? new Date(row.updatedAt).getTime() : 0;
    if (!force && this.applied && at === this.appliedAt) return;
    this.appliedAt = at;
    this.apply(row?.value ?? {});
  }

  private applied = false;

  get(): CustomConfig {
    const { instance: i, signup: s, user: u } = this.config;
    return {
      instance: {
        name: i.name,
        shortDescription: i.short_description,
        description: i.description,
        terms: i.terms,
        codeOfConduct: i.code_of_conduct,
        moderationInformation: i.moderation_information,
        creationReason: i.creation_reason,
        administrator: i.administrator,
        maintenanceLifetime: i.maintenance_lifetime,
        businessModel: i.business_model,
        hardwareInformation: i.hardware_information,
        languages: [...i.languages],
        categories: [...i.categories],
        isNSFW: i.is_nsfw,
        defaultNSFWPolicy: i.default_nsfw_policy,
      },
      signup: {
        enabled: s.enabled,
        limit: s.limit,
        requiresApproval: s.requires_approval,
        requiresEmailVerification: s.requires_email_verification,
        minimumAge: s.minimum_age,
      },
      user: { videoQuota: u.video_quota, videoQuotaDaily: u.video_quota_daily },
      contactForm: { enabled: this.config.contact_form.enabled },
    };
  }

  /** PUT: the body (already validated whole) is merged over what is stored, saved, then applied. */
  async update(body: CustomConfigUpdate): Promise<CustomConfig> {
    const stored = (await this.repo.read())?.value ?? {};
    const merged: CustomConfigUpdate = {
      instance: { ...stored.instance, ...body.instance },
      signup: { ...stored.signup, ...body.signup },
      user: { ...stored.user, ...body.user },
      contactForm: { ...stored.contactForm, ...body.contactForm },
    };
    await this.repo.write(merged);
    await this.sync(true);
    return this.get();
  }

  /** DELETE: back to the YAML values. */
  async reset(): Promise<void> {
    await this.repo.remove();
    await this.sync(true);
  }

  private apply(v: CustomConfigUpdate): void {
    const base = clone(this.fromFiles);
    const i = v.instance ?? {};
    const s = v.signup ?? {};
    const u = v.user ?? {};
    const instance: AppConfig['instance'] = {
      ...base.instance,
      ...defined({
        name: i.name,
        short_description: i.shortDescription,
        description: i.description,
        terms: i.terms,
        code_of_conduct: i.codeOfConduct,
        moderation_information: i.moderationInformation,
        creation_reason: i.creationReason,
        administrator: i.administrator,
        maintenance_lifetime: i.maintenanceLifetime,
        business_model: i.businessModel,
        hardware_information: i.hardwareInformation,
        languages: i.languages,
        categories: i.categories,
        is_nsfw: i.isNSFW,
        default_nsfw_policy: i.defaultNSFWPolicy,
      }),
    };
    const signup: AppConfig['signup'] = {
      ...base.signup,
      ...defined({
        enabled: s.enabled,
        limit: s.limit,
        requires_approval: s.requiresApproval,
        requires_email_verification: s.requiresEmailVerification,
        minimum_age: s.minimumAge,
      }),
    };
    const user: AppConfig['user'] = { ...base.user, ...defined({ video_quota: u.videoQuota, video_quota_daily: u.videoQuotaDaily }) };
    // In place: services hold this very object.
    Object.assign(this.config.instance, instance);
    Object.assign(this.config.signup, signup);
    Object.assign(this.config.user, user);
    Object.assign(this.config.contact_form, { ...base.contact_form, ...defined({ enabled: v.contactForm?.enabled }) });
    this.applied = true;
    this.serverConfig.invalidate();
  }
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
