/** The demo: sample data made on the fly and the three-step story of {@code vsrx-sync demo}. */
package com.silknote.sync.examples.demo;
