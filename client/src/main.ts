import { createApp } from 'vue';
import App from './App.vue';
import { loadPlayerEngine } from './player/load-engine';
import { router } from './router';
import { startNotifications } from './state/notifications';
import { restoreSession } from './state/session';
import { loadServerConfig } from './state/server-config';
import { prefetchVideo, watchIdOf } from './state/video-prefetch';
import { installTheme } from './state/theme';
import './styles/base.css';

installTheme();
void loadServerConfig();
// Opened straight on a watch page: the player engine, then the video, load while the app boots.
const watchId = watchIdOf(location.pathname);
if (watchId) {
  void loadPlayerEngine().catch(() => undefined);
  // The page's own chunk (and what it imports) too: the router asks for the same module later.
  void import('./pages/WatchPage.vue').catch(() => undefined);
}
// The session is restored before the first route resolves, so guarded pages see the login (and
// the video is asked for with a token known to be good, or none).
void restoreSession().then(() => {
  startNotifications();
  if (watchId) prefetchVideo(watchId);
  createApp(App).use(router).mount('#app');
});
