/** Printing run reports as tables and JSON: ids, actions, reason codes and figures only, never patient data. */
package com.silknote.sync.examples.report;
