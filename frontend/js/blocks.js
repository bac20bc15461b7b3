/**
 * The overview of blocks: one button per zone of the plan; choosing one zooms the map
 * to it. Hidden for a plan of a single block, where the whole map is the block.
 */

/** Fill `list` with a button per zone of `plan`; `onPick(zone)` when one is chosen. */
export function showBlocks(nav, list, plan, onPick) {
  list.replaceChildren(
    ...plan.zones.map((zone) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'block-button';
      button.textContent = zone.name;
      button.addEventListener('click', () => onPick(zone));
      li.append(button);
      return li;
    }),
  );
  nav.hidden = plan.zones.length < 2;
}
