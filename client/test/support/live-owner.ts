/// <reference types="node" />
/**
 * The owner's side of a live in the browser, for the live scenarios: the edit page's Live settings
 * (RTMP URL and stream key against the API, a new key, a setting saved and read back) while the
 * live waits for its stream, and the Go-live page's list of lives once it is on air (its state,
 * its link to the edit page, whose settings are then locked).
 */
import type { LiveVideo } from '@flotilla/shared';
import type { ApiClient } from '../../src/api/http';
import { axeViolations, type AxeViolation } from './axe';
import type { Viewer } from './viewers';

export interface OwnerChecks {
  checks: Record<string, boolean>;
  a11y: Record<string, AxeViolation[]>;
  notes: string[];
}

const ok = (p: Promise<unknown>) => p.then(() => true, () => false);

export async function uiLogin(v: Viewer, base: string, username: string, password: string): Promise<boolean> {
  await v.page.goto(`${base}/login`);
  await v.page.fill('#username', username);
  await v.page.fill('#password', password);
  await v.page.click('form.auth-card button[type=submit]');
  return ok(v.page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 }));
}

const ingest = (v: Viewer, row: 'url' | 'key') => v.page.locator(`[data-live-ingest="${row}"]`).inputValue();

/**
 * Before the stream starts: the edit page shows the API's URL and key, makes a new key (the field
 * then shows the API's new one) and saves `permanentLive` on. Returns the live as the API has it
 * afterwards (the publisher needs its new key).
 */
export async function checkLiveEditPage(v: Viewer, base: string, owner: ApiClient, video: { id: number; shortUUID: string }, out: OwnerChecks): Promise<LiveVideo> {
  const check = (name: string, pass: boolean) => (out.checks[name] = pass);
  const before = await owner.get<LiveVideo>(`/api/v1/videos/live/${video.id}`);
  await v.page.goto(`${base}/my-library/videos/${video.shortUUID}/edit#live-settings`);
  await v.page.waitForFunction(() => !!(document.querySelector('[data-live-ingest="key"]') as HTMLInputElement | null)?.value, null, { timeout: 15_000 });
  check("edit page: the stream key is the API's", (await ingest(v, 'key')) === before.streamKey);
  check("edit page: the RTMP URL is the API's", (await ingest(v, 'url')) === before.rtmpUrl && !!before.rtmpUrl);
  out.a11y['edit page of a waiting live'] = await axeViolations(v.page, 'edit page of a live');

  await v.page.click('button:has-text("New key")');
  const changed = await ok(v.page.waitForFunction((old) => (document.querySelector('[data-live-ingest="key"]') as HTMLInputElement).value !== old, before.streamKey, { timeout: 5000 }));
  const renewed = await owner.get<LiveVideo>(`/api/v1/videos/live/${video.id}`);
  check('edit page: a new key, shown as the API has it', changed && renewed.streamKey !== before.streamKey && (await ingest(v, 'key')) === renewed.streamKey);

  await v.page.check('#edit-live-permanent');
  await v.page.click('button:has-text("Save live settings")');
  check('edit page: "Live settings saved"', await ok(v.page.waitForSelector('.live-settings-form .alert-success', { timeout: 10_000 })));
  const after = await owner.get<LiveVideo>(`/api/v1/videos/live/${video.id}`);
  check('edit page: permanentLive saved, the other settings kept', after.permanentLive && !before.permanentLive && after.latencyMode === before.latencyMode && after.saveReplay === before.saveReplay);
  out.notes.push(`live settings before ${JSON.stringify({ ...before, streamKey: undefined })}, after ${JSON.stringify({ ...after, streamKey: undefined })}`);
  return after;
}

/** Once on air: the Go-live page lists the live as on air and links to its settings, which the edit page then locks. */
export async function checkGoLiveList(v: Viewer, base: string, video: { id: number; shortUUID: string }, out: OwnerChecks): Promise<void> {
  const check = (name: string, pass: boolean) => (out.checks[name] = pass);
  await v.page.goto(`${base}/videos/go-live`);
  const row = v.page.locator(`[data-my-live="${video.id}"]`);
  check('Go-live page lists the live', await ok(row.waitFor({ timeout: 15_000 })));
  const text = (await row.textContent().catch(() => '')) ?? '';
  out.notes.push(`Go-live row: ${text.replace(/\s+/g, ' ').trim()}`);
  check('Go-live list: on air, with its session', (await row.locator('[data-my-live-state]').textContent().catch(() => '')) === 'On air' && /On air since/.test(text) && /Permanent/.test(text));
  out.a11y['Go-live page with a live listed'] = await axeViolations(v.page, 'Go-live page');

  await row.locator('a:has-text("Stream key and settings")').click();
  const landed = await ok(v.page.waitForURL((u) => u.pathname === `/my-library/videos/${video.shortUUID}/edit` && u.hash === '#live-settings', { timeout: 10_000 }));
  const onAir = await ok(v.page.waitForFunction(() => document.querySelector('[data-live-state]')?.textContent === 'On air', null, { timeout: 10_000 }));
  const locked = await v.page.locator('button:has-text("Save live settings")').isDisabled().catch(() => false);
  const keyLocked = await v.page.locator('button:has-text("New key")').isDisabled().catch(() => false);
  check('Go-live list links to the edit page, which shows the live on air with its settings and key locked', landed && onAir && locked && keyLocked);
}
