/**
 * Internals of the VSRX HTTP adapter: wire codecs, stream verification, signatures. No compatibility
 * promise: anything here may change in any release.
 */
package com.silknote.sync.vsrx.http.internal;
