import { element } from './dom.js';
import { loadSignedIn, needsRenewal, pastedToken, requestToken, storeSignedIn, type SignedIn, type SiteConfig } from './sign-in.js';

/** The two users the local switch offers in one click; any other name can be typed. */
export const PRESET_USERS = ['alice', 'bob'] as const;

export interface SignInPanel {
  /** The token for the next call: renewed from the local issuer when it is about to expire; none when signed out. */
  token(): Promise<string | undefined>;
  user(): SignedIn | undefined;
  /** Forgets the tab's user (after the API refused its token), asking to sign in again with `message`. */
  signOut(message: string): void;
}

/**
 * The "User" card, shown when the stack signs users in (`auth: jwt`): with the local issuer, a name
 * field and preset users whose tokens come from its dev endpoint; with a real issuer, a field to
 * paste a token. The user is kept per tab (sessionStorage), so a reload keeps it and two tabs can be
 * two users. `onChange` is told each switch.
 */
export function createSignInPanel(config: SiteConfig, onChange: (user: SignedIn | undefined) => void): SignInPanel {
  const panel = element<HTMLElement>('sign-in');
  const who = element<HTMLParagraphElement>('signed-in-as');
  const userForm = element<HTMLFormElement>('user-form');
  const userName = element<HTMLInputElement>('user-name');
  const pasteForm = element<HTMLFormElement>('paste-form');
  const pasted = element<HTMLTextAreaElement>('pasted-token');
  const signOutButton = element<HTMLButtonElement>('sign-out');
  let current = loadSignedIn();

  function show(message?: string): void {
    who.textContent = message ?? (current !== undefined ? `Signed in as ${current.sub}.` : 'Not signed in: choose a user to see and submit your requests.');
    who.dataset.user = current?.sub ?? '';
    signOutButton.hidden = current === undefined;
  }

  function switchTo(user: SignedIn | undefined, message?: string): void {
    current = user;
    storeSignedIn(user);
    show(message);
    onChange(user);
  }

  async function signInAs(sub: string): Promise<void> {
    const name = sub.trim();
    if (name === '') return show('Type a user name first.');
    try {
      switchTo(await requestToken(config, name));
    } catch (error) {
      show(`Could not sign in as ${name}: ${error instanceof Error ? error.message : String(error)}.`);
    }
  }

  panel.hidden = false;
  const local = config.token_endpoint !== null;
  userForm.hidden = !local;
  pasteForm.hidden = local;
  userForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void signInAs(userName.value);
  });
  for (const button of Array.from(userForm.querySelectorAll<HTMLButtonElement>('button[data-user]'))) {
    button.addEventListener('click', () => void signInAs(button.dataset.user ?? ''));
  }
  pasteForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (pasted.value.trim() === '') return show('Paste a token from your issuer first.');
    switchTo(pastedToken(pasted.value));
    pasted.value = '';
  });
  signOutButton.addEventListener('click', () => switchTo(undefined));
  show();

  return {
    async token() {
      if (current !== undefined && needsRenewal(config, current)) {
        current = await requestToken(config, current.sub);
        storeSignedIn(current);
      }
      return current?.token;
    },
    user: () => current,
    signOut: (message) => switchTo(undefined, message),
  };
}
