import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { isAdmin, isLoggedIn, isModerator, session } from './state/session';
import { loadServerConfig, serverConfig } from './state/server-config';

const requiresAuth = { requiresAuth: true };

export const router = createRouter({
  history: createWebHistory(),
  // Back/forward restores the position, other navigations go to the top; the first page is at
  // the top already (scrolling there forces a layout while the page is still being built).
  scrollBehavior: (_to, from, saved) => saved ?? (from.matched.length ? { top: 0 } : false),
  routes: [
    { path: '/', component: () => import('./pages/HomePage.vue') },
    { path: '/videos/browse', redirect: '/' },
    { path: '/w/:id', component: () => import('./pages/WatchPage.vue'), props: true },
    { path: '/videos/watch/:id', component: () => import('./pages/WatchPage.vue'), props: true },
    { path: '/c/:handle', component: () => import('./pages/ChannelPage.vue'), props: true },
    { path: '/video-channels/:handle', redirect: (to) => `/c/${String(to.params.handle)}` },
    { path: '/a/:name', component: () => import('./pages/AccountPage.vue'), props: true },
    { path: '/accounts/:name', redirect: (to) => `/a/${String(to.params.name)}` },
    { path: '/videos/upload', component: () => import('./pages/UploadPage.vue'), meta: requiresAuth },
    { path: '/videos/go-live', component: () => import('./pages/GoLivePage.vue'), meta: requiresAuth },
    { path: '/my-library/videos', component: () => import('./pages/MyVideosPage.vue'), meta: requiresAuth },
    { path: '/my-library/videos/:id/edit', component: () => import('./pages/EditVideoPage.vue'), props: true, meta: requiresAuth },
    { path: '/login', component: () => import('./pages/LoginPage.vue') },
    { path: '/signup', component: () => import('./pages/SignupPage.vue') },
    { path: '/login/forgot-password', component: () => import('./pages/auth/ForgotPasswordPage.vue') },
    { path: '/reset-password', component: () => import('./pages/auth/ResetPasswordPage.vue') },
    { path: '/verify-account/email', component: () => import('./pages/auth/VerifyEmailPage.vue') },
    { path: '/verify-account/ask-send-email', component: () => import('./pages/auth/VerifyEmailPage.vue'), props: { ask: true } },
    { path: '/admin/runners', component: () => import('./pages/AdminRunnersPage.vue'), meta: { requiresAuth: true, requiresAdmin: true } },
    { path: '/admin/jobs', component: () => import('./pages/AdminJobsPage.vue'), meta: { requiresAuth: true, requiresAdmin: true } },
    // Administration and the about page (issue 14, items 3 and 6).
    { path: '/admin', redirect: '/admin/users' },
    { path: '/admin/users', component: () => import('./pages/admin/AdminUsersPage.vue'), meta: { requiresAuth: true, requiresModerator: true } },
    { path: '/admin/registrations', component: () => import('./pages/admin/AdminRegistrationsPage.vue'), meta: { requiresAuth: true, requiresModerator: true } },
    { path: '/admin/videos', component: () => import('./pages/admin/AdminVideosPage.vue'), meta: { requiresAuth: true, requiresModerator: true } },
    { path: '/admin/settings', component: () => import('./pages/admin/AdminSettingsPage.vue'), meta: { requiresAuth: true, requiresAdmin: true } },
    { path: '/about', redirect: '/about/instance' },
    { path: '/about/instance', component: () => import('./pages/AboutInstancePage.vue') },
    { path: '/admin/federation', component: () => import('./pages/AdminFederationPage.vue'), meta: { requiresAuth: true, requiresAdmin: true } },
    { path: '/videos/embed/:id', component: () => import('./pages/EmbedPage.vue'), props: true, meta: { bare: true } },
    { path: '/search', component: () => import('./pages/SearchPage.vue') },
    // Issue 14 (account): my account, my channels, browse pages — PeerTube's paths.
    // Issue 13: notifications and subscriptions.
    { path: '/my-account/notifications', component: () => import('./pages/my/NotificationsPage.vue'), meta: requiresAuth },
    { path: '/videos/subscriptions', component: () => import('./pages/browse/BrowseVideosPage.vue'), props: { kind: 'subscriptions' }, meta: requiresAuth },
    { path: '/my-account', redirect: '/my-account/settings' },
    { path: '/my-account/settings', component: () => import('./pages/my/MyAccountSettingsPage.vue'), meta: requiresAuth },
    { path: '/my-library/video-channels', component: () => import('./pages/my/MyChannelsPage.vue'), meta: requiresAuth },
    { path: '/my-library/video-channels/create', component: () => import('./pages/my/ChannelEditPage.vue'), meta: requiresAuth },
    { path: '/my-library/video-channels/update/:handle', component: () => import('./pages/my/ChannelEditPage.vue'), props: true, meta: requiresAuth },
    { path: '/videos/trending', component: () => import('./pages/browse/BrowseVideosPage.vue'), props: { kind: 'trending' } },
    { path: '/videos/recently-added', component: () => import('./pages/browse/BrowseVideosPage.vue'), props: { kind: 'recently-added' } },
    { path: '/videos/local', component: () => import('./pages/browse/BrowseVideosPage.vue'), props: { kind: 'local' } },
    { path: '/videos/overview', component: () => import('./pages/browse/OverviewPage.vue') },
    { path: '/:pathMatch(.*)*', component: () => import('./pages/NotFoundPage.vue') },
  ],
});

router.beforeEach((to: RouteLocationNormalized) => {
  if (serverConfig.error) void loadServerConfig();
  if (to.meta.requiresAuth && !isLoggedIn.value) {
    return { path: '/login', query: { redirect: to.fullPath, ...(session.expired ? { expired: '1' } : {}) } };
  }
  if (to.meta.requiresAdmin && session.user && !isAdmin.value) return { path: '/' };
  if (to.meta.requiresModerator && session.user && !isModerator.value) return { path: '/' };
  return true;
});

router.afterEach(() => {
  document.getElementById('main')?.focus({ preventScroll: true });
});
