// Public surface of routing for the HTTP layer and the fallback executor.
export { RoutingError } from './errors.js';
export {
  resolveModel,
  providerNotConfigured,
  suggestModels,
  isModelVisible,
  VARIANTS,
  AUTO_NAMES,
  type Variant,
  type Resolved,
} from './resolve.js';
export {
  countedFeatures,
  extractFeatures,
  featureCache,
  usedParameters,
  reasoningRequested,
  type RequestFeatures,
} from './features.js';
export { reasoningPlan, THINKING_DEFAULT_EFFORT } from './reasoning.js';
export { endpointKey, supportsParam, parsePriceCaps, type DropReason } from './filters.js';
export {
  planEndpoints,
  expectedCost,
  EXPECTED_OUTPUT_TOKENS,
  type EndpointPlan,
  type PlannedEndpoint,
  type DroppedEndpoint,
} from './planner.js';
export { chooseAutoModel, type AutoChoice, type AutoExplanation } from './auto.js';
export { buildRoutePlan, type RouteAttempt, type RoutePlan, type BuildRoutePlanInput } from './plan.js';
export { summarizeRoute, storedRoute, routeOfGeneration, type RouteExplanation, type StoredRoute } from './explain.js';
export { failedStatus, AbortedDuringAttempt } from './attempts.js';
export {
  HealthTracker,
  classifySample,
  type HealthSample,
  type EndpointStats,
  type BreakerState,
  type HealthOptions,
} from './health.js';
export { catalogIdForNative } from './native-names.js';
export {
  attemptOutcome,
  combineObservers,
  withHeaders,
  type RequestObserver,
  type RequestWatch,
  type AttemptWatch,
  type RequestStart,
  type RequestEnd,
  type RequestUsage,
  type AttemptStart,
  type AttemptEnd,
  type AttemptOutcome,
  type InboundApi,
} from './observer.js';
