/**
 * Every protobuf message kubemu can decode, resolved once into one table (descriptor.ts). Building
 * it checks that every message a field names is described, so a gap in the data fails at start-up
 * (and in the unit tests), not on a user's request.
 */
import { MessageTable } from './descriptor.js';
import { wellKnownMessages } from './well-known.js';
import { metaMessages } from './messages/meta.js';
import { coreObjectMessages } from './messages/core-objects.js';
import { corePodMessages } from './messages/core-pod.js';
import { coreContainerMessages } from './messages/core-container.js';
import { coreVolumeMessages } from './messages/core-volume.js';
import { groupMessages } from './messages/groups.js';

export const MESSAGES = new MessageTable([
  ...wellKnownMessages,
  ...metaMessages,
  ...coreObjectMessages,
  ...corePodMessages,
  ...coreContainerMessages,
  ...coreVolumeMessages,
  ...groupMessages,
]);
