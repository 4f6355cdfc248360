export const ActorImageType = { AVATAR: 1, BANNER: 2 } as const;
