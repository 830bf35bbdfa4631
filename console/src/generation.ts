// A generation row as GET /v1/generation and GET /v1/activity answer it (src/http/routes/ledger.ts
// generationJson): one shape for the Activity pages and the Playground's route explanation.

export interface Attempt {
  provider: string;
  model: string;
  endpoint: string;
  status: number;
  duration_ms: number;
  error?: string;
}

/** an endpoint of the plan, as POST /v1/route explains it */
export interface RouteEndpoint {
  model: string;
  provider: string;
  endpoint_model: string;
  expected_usd: string;
  throughput: number | null;
  latency_ms: number | null;
  health: string;
}

export interface RouteDrop {
  model: string;
  provider: string;
  endpoint_model: string;
  reason: string;
  detail: string;
}

export interface Route {
  rule?: string;
  requested?: string;
  variant?: string | null;
  chosen?: RouteEndpoint;
  candidates?: RouteEndpoint[];
  dropped?: RouteDrop[];
  auto?: { rule: string; chosen: string; considered: number; capable: number };
}

export interface Generation {
  id: string;
  created_at: string;
  kind: string;
  key_id: string;
  requested_model: string;
  model: string | null;
  provider_name: string | null;
  provider_model: string | null;
  upstream_id: string | null;
  streamed: boolean;
  cancelled: boolean;
  status: number;
  finish_reason: string | null;
  latency: number;
  time_to_first_token: number | null;
  tokens_prompt: number;
  tokens_completion: number;
  tokens_reasoning: number;
  tokens_cached: number;
  tokens_cache_write: number;
  tokens_estimated: boolean;
  total_cost: number;
  total_cost_exact: string;
  attempts: Attempt[];
  /** null for rows written before routes were kept */
  route: Route | null;
}
