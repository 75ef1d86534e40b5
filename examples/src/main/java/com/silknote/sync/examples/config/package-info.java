/**
 * Configuration of the command line and the embedded default: a {@code .properties} file and
 * {@code VSRX_SYNC_*} environment variables, with secrets masked. The library itself never reads the
 * environment. See {@code docs/configuration.md}.
 */
package com.silknote.sync.examples.config;
