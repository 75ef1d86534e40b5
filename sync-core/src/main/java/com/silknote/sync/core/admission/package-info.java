/**
 * Admission checks on file content before it is stored: what the leading bytes say the type is, and whether
 * that agrees with the type the source declared. Pure functions, no I/O. Nothing here is null unless stated.
 */
package com.silknote.sync.core.admission;
