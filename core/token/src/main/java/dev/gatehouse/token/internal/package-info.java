/**
 * Implementation details of Gatehouse. Nothing in this package is API: it may change in any
 * release without notice. Do not use it from application code.
 */
package dev.gatehouse.token.internal;
