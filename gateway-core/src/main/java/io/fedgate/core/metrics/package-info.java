/** The gateways' meters, declared once: Istio's standard TCP meters and fedgate's own refusal and failure counters. */
package io.fedgate.core.metrics;
