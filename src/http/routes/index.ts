import type { Route } from '../context.js';
import { healthRoutes } from './health.js';
import { keyRoutes } from './keys.js';
import { modelRoutes } from './models.js';
import { modelProviderRoutes } from './model-providers.js';
import { chatRoutes } from './chat.js';
import { embeddingRoutes } from './embeddings.js';
import { messageRoutes } from './messages.js';
import { responseRoutes } from './responses.js';
import { ledgerRoutes } from './ledger.js';
import { routeRoutes } from './route.js';
import { catalogRoutes } from './catalog.js';
import { activityDailyRoutes } from './activity-daily.js';
import { providerRoutes } from './providers.js';
import { adminRoutes } from './admin.js';
import { consoleRoutes } from './console.js';
import { metricsRoutes } from './metrics.js';

export const allRoutes: Route[] = [
  ...healthRoutes,
  ...modelRoutes,
  ...modelProviderRoutes,
  ...keyRoutes,
  ...chatRoutes,
  ...embeddingRoutes,
  ...messageRoutes,
  ...responseRoutes,
  ...ledgerRoutes,
  ...routeRoutes,
  ...catalogRoutes,
  ...activityDailyRoutes,
  ...providerRoutes,
  ...adminRoutes,
  ...consoleRoutes,
  ...metricsRoutes,
];
