import type { Route } from '../context.js';
import { healthRoutes } from './health.js';
import { keyRoutes } from './keys.js';
import { modelRoutes } from './models.js';

export const allRoutes: Route[] = [...healthRoutes, ...modelRoutes, ...keyRoutes];
