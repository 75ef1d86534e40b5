/** Deliberately bad classes that prove the architecture rules fail on violations. Test sources only. */
package com.silknote.sync.core.archfixture;
