import type { ApiHandler } from './api.js';
import { apiVersions } from './api-versions.js';
import { fetch } from './fetch.js';
import { findCoordinator } from './find-coordinator.js';
import { deleteGroups, describeGroups, listGroups } from './groups-admin.js';
import { heartbeat } from './heartbeat.js';
import { initProducerId } from './init-producer-id.js';
import { joinGroup } from './join-group.js';
import { leaveGroup } from './leave-group.js';
import { listOffsets } from './list-offsets.js';
import { metadata } from './metadata.js';
import { offsetCommit } from './offset-commit.js';
import { offsetFetch } from './offset-fetch.js';
import { produce } from './produce.js';
import { syncGroup } from './sync-group.js';
import { createTopics, deleteTopics } from './topics-admin.js';

/** Every API this broker serves, each at kafkajs 2.2.4's highest version. */
export const HANDLERS: readonly ApiHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersions(() => HANDLERS),
  createTopics,
  deleteTopics,
  initProducerId,
  deleteGroups,
];

export const HANDLER_BY_KEY = new Map(HANDLERS.map((h) => [h.key, h]));
export { API_VERSIONS_KEY, unsupportedApiVersionsBody } from './api-versions.js';
export type { ApiHandler, RequestContext } from './api.js';
