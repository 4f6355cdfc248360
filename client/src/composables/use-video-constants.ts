import { computed, onMounted, ref } from 'vue';
import { VIDEO_CATEGORIES, VIDEO_LANGUAGES, VIDEO_LICENCES } from '@flotilla/shared/video/enums';
import { getCategories, getLanguages, getLicences } from '../api/videos';
import { api } from '../state/api';

/** Categories, licences and languages: the server's lists, the shared constants while it is unreachable. */
export function useVideoConstants() {
  const categories = ref<Record<string, string>>(VIDEO_CATEGORIES);
  const licences = ref<Record<string, string>>(VIDEO_LICENCES);
  const languages = ref<Record<string, string>>(VIDEO_LANGUAGES);
  onMounted(async () => {
    const [c, l, g] = await Promise.allSettled([getCategories(api), getLicences(api), getLanguages(api)]);
    if (c.status === 'fulfilled' && Object.keys(c.value).length) categories.value = c.value;
    if (l.status === 'fulfilled' && Object.keys(l.value).length) licences.value = l.value;
    if (g.status === 'fulfilled' && Object.keys(g.value).length) languages.value = g.value;
  });
  const sortedLanguages = computed(() => Object.entries(languages.value).sort((a, b) => a[1].localeCompare(b[1])));
  return { categories, licences, languages, sortedLanguages };
}
