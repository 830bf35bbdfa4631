import type { Route } from '../context.js';
import { healthRoutes } from './health.js';
import { keyRoutes } from './keys.js';
import { modelRoutes } from './models.js';
import { chatRoutes } from './chat.js';
import { embeddingRoutes } from './embeddings.js';
import { messageRoutes } from './messages.js';
import { responseRoutes } from './responses.js';
import { ledgerRoutes } from './ledger.js';
import { routeRoutes } from './route.js';
import { catalogRoutes } from './catalog.js';
import { metricsRoutes } from './metrics.js';

export const allRoutes: Route[] = [
  ...healthRoutes,
  ...modelRoutes,
  ...keyRoutes,
  ...chatRoutes,
  ...embeddingRoutes,
  ...messageRoutes,
  ...responseRoutes,
  ...ledgerRoutes,
  ...routeRoutes,
  ...catalogRoutes,
  ...metricsRoutes,
];
