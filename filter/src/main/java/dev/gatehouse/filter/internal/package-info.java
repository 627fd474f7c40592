/**
 * Implementation details of the Gatehouse servlet filter; not API.
 */
package dev.gatehouse.filter.internal;
