/**
 * Texts for end-to-end runs with a scripted generator (test/support/scriptedModel.ts) and
 * stories260K as the scorer: a children's story as y, planning paragraphs as the initial
 * trajectory, and rewrites that retell the story's events (which stories260K, a
 * TinyStories model, finds predictive of y) without copying 120 characters of it.
 */

export const storyX = "Write a short story for children about a little dog who finds a red ball.";

export const storyY =
    "Once upon a time, there was a little dog named Max. Max liked to run in the park. One day, he saw a big red ball under a tree. " +
    "He was very happy and took the ball to his friend Lily. Lily and Max played with the ball all day. " +
    "When the sun went down, Max went home with his ball and slept in his bed.";

/** The only English opener of the runs' prompt folders; the initial script continues it. */
export const opener = "Alright, the user";

/** The initial trajectory's segments: opener + initial script, cut at its blank lines. */
export const planSegments = [
    "Alright, the user wants a short story for small children about a dog and a ball, so the words must be simple and the sentences short.",
    "I want one clear hero, a small happy moment in the middle, and a calm ending at bedtime, so the child can fall asleep after it.",
    "The shape is plain: a beginning in the park, the find under the tree, the game with a friend, and then home and sleep."
];

/** What the scripted generator says after the initial prompt (which ends with the opener). */
export const planScript = planSegments.join("\n\n").slice(opener.length);

/** A retelling of y's events in the planning voice: about three times a segment's length. */
export const retelling =
    "I want to tell it like this. There is a little dog named Max. Max likes to play in the park every day. " +
    "One day Max sees a big red ball under the tree and he is so happy. Hmm, who does he play with? " +
    "Max runs to his friend Lily with the ball. Lily and Max play with it all day long and they laugh. " +
    "Then the sun goes down, so Max goes home with the ball and sleeps in his warm bed.";

/** The built-in English edit pre-fill, with the newline reer adds after it: every edit turn's raw text starts with it. */
export const editPrefill = "Let me look at this paragraph carefully.\n<analyze>\n";

/** A second opener that ends in ":", so a trigger on ":" makes the generator say `storyDraftScript` after it. */
export const storyOpener = "Alright, here is the story I see:";

export const storyDraftSegments = [
    "Alright, here is the story I see: a little dog named Max runs and plays in the park. One day Max finds a big red ball under a tree and he is very happy.",
    "Max takes the red ball to his friend Lily. Lily and Max play with the ball all day, and when the sun goes down Max goes home and sleeps in his bed."
];

export const storyDraftScript = storyDraftSegments.join("\n\n").slice(storyOpener.length);

export const storyXZh = "写一个关于小狗找到红色皮球的儿童故事。";

export const storyYZh =
    "从前，有一只叫小白的小狗。它喜欢在公园里跑来跑去。有一天，它在树下看到一个红色的大皮球。" +
    "它很高兴，把皮球带给了好朋友丽丽。丽丽和小白玩了一整天。太阳下山了，小白带着皮球回家，在小床上睡着了。";

export const openerZh = "好的";

/** Two planning paragraphs of at least 100 characters each (the segmenter counts code points). */
export const planSegmentsZh = [
    "好的，用户想要一个给小朋友听的短故事，主角是一只小狗和一个皮球。所以我要用很简单的词，每一句都要短，让三四岁的孩子也能听懂。" +
    "嗯，语气要温柔一点，像妈妈在床边讲故事那样，不要有吓人的地方，也不要有太多的人物，一只小狗和一个朋友就够了。",
    "故事的样子很清楚：开头在公园里，中间是在树下找到皮球，然后和朋友一起玩，最后回家睡觉。等等，结尾要安静，" +
    "这样孩子听完就能睡着。我还想让每一段都有一个小小的动作，比如跑、看、笑、抱着皮球，这样孩子能跟着想象画面。"
];

export const planScriptZh = planSegmentsZh.join("\n\n").slice(openerZh.length);

export const retellingZh =
    "我想这样讲。有一只小狗叫小白，它每天都在公园里玩。有一天小白在树下看见一个红红的大皮球，它高兴极了。" +
    "嗯，它和谁一起玩呢？小白抱着皮球跑去找丽丽，它们笑着玩到天黑，然后小白回家睡觉。";
