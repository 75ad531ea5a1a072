/**
 * What each operating state allows: allocations, risk, limits and which engines run.
 * The numbers are the design's, exactly.
 */
import type { OperatingState, StateProperties } from './contracts.js';

function freezeProperties(p: StateProperties): StateProperties {
  Object.freeze(p.scalpAllocationRange);
  Object.freeze(p.swingAllocationRange);
  Object.freeze(p.portfolioAllocationRange);
  return Object.freeze(p);
}

/** The properties of each operating state. */
export const STATE_PROPERTIES: Readonly<Record<OperatingState, StateProperties>> = Object.freeze({
  AGGRESSIVE: freezeProperties({
    scalpAllocationRange: [0.6, 0.8],
    swingAllocationRange: [0.15, 0.3],
    portfolioAllocationRange: [0.05, 0.1],
    riskToleranceMultiplier: 1.2,
    entrySignalThreshold: 0.6,
    maxPositions: 20,
    maxDailyTrades: 50,
    rebalancingEnabled: false,
    newEntryEnabled: true,
    scalpEngineActive: true,
    swingEngineActive: true,
  }),
  BALANCED: freezeProperties({
    scalpAllocationRange: [0.3, 0.5],
    swingAllocationRange: [0.3, 0.4],
    portfolioAllocationRange: [0.2, 0.3],
    riskToleranceMultiplier: 1.0,
    entrySignalThreshold: 0.7,
    maxPositions: 15,
    maxDailyTrades: 30,
    rebalancingEnabled: true,
    newEntryEnabled: true,
    scalpEngineActive: true,
    swingEngineActive: true,
  }),
  DEFENSIVE: freezeProperties({
    scalpAllocationRange: [0.05, 0.15],
    swingAllocationRange: [0.15, 0.25],
    portfolioAllocationRange: [0.6, 0.8],
    riskToleranceMultiplier: 0.5,
    entrySignalThreshold: 0.9,
    maxPositions: 10,
    maxDailyTrades: 10,
    rebalancingEnabled: true,
    newEntryEnabled: false,
    scalpEngineActive: false,
    swingEngineActive: true,
  }),
});
