// The gallery recipe a device composes: the server's (src/worker/gallery-job.ts galleryRecipe), its
// primer as resolved tokens as the server stores them, so the same fields give the same recipe
// lines, tokens and MIDI bytes.
// The radio streams the same recipe (its length unused); a piece kept from it adds the offset.
import { NO_PRIMER, createRecipe, keyChoiceText, parseKeyChoice, type Recipe } from "@motif/core/compose";
import { GALLERY_RECIPE } from "../lib/gallery-recipe";
import type { DeviceRecipe } from "./device-protocol";

export function deviceGalleryRecipe(recipe: DeviceRecipe): Recipe {
  const choice = parseKeyChoice(recipe.key);
  if (choice === null) throw new Error(`unknown key "${recipe.key}"`);
  return createRecipe({
    ...GALLERY_RECIPE,
    seed: recipe.seed,
    length: recipe.length,
    temperature: recipe.temperature,
    topK: recipe.topK,
    topP: recipe.topP,
    // What the server stores: the resolved primer, or for none no tokens, described as the Composer describes none.
    primer: recipe.primer
      ? {
          kind: "tokens",
          tokens: recipe.primer.tokens,
          description: recipe.primer.description,
          keyShift: recipe.primer.keyShift,
        }
      : { kind: "tokens", tokens: [], description: NO_PRIMER.description, keyShift: 0 },
    key: keyChoiceText(choice),
    ...(recipe.offset === undefined ? {} : { offset: recipe.offset }),
  });
}
