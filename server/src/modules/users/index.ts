// users' public surface beside users.service.ts / accounts.service.ts: the user and account models,
// for other modules' associations, includes and types (queries on them belong in this module).
export { AccountModel } from './account.model';
export { UserModel } from './user.model';
export { toAuthUser } from './auth-user';
export { NotificationRecipients, type Recipient } from './notification-recipients.repository';
