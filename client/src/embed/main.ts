/**
 * Second entry (embed.html): the player only, no router, no app shell. The video id is the last
 * path segment of /videos/embed/<uuid or shortUUID>.
 */
import { createApp, h } from 'vue';
import { loadPlayerEngine } from '../player/load-engine';
import EmbedView from './EmbedView.vue';

void loadPlayerEngine().catch(() => undefined); // the engine downloads while the view boots

const id = decodeURIComponent(location.pathname.replace(/\/+$/, '').split('/').pop() ?? '');
document.documentElement.style.background = '#000';
document.body.style.margin = '0';
createApp({ render: () => h(EmbedView, { id }) }).mount('#embed');
