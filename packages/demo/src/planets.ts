/** The demo agent's small bundled dataset: the eight planets (rounded public figures). */
export interface Planet {
  name: string;
  type: 'terrestrial' | 'gas giant' | 'ice giant';
  diameterKm: number;
  moons: number;
  /** Mean distance from the Sun, astronomical units. */
  distanceAu: number;
  /** Sidereal rotation period, hours. */
  dayHours: number;
  /** Orbital period, Earth days. */
  yearDays: number;
}

export const PLANETS: readonly Planet[] = [
  {
    name: 'Mercury',
    type: 'terrestrial',
    diameterKm: 4879,
    moons: 0,
    distanceAu: 0.39,
    dayHours: 1407.6,
    yearDays: 88,
  },
  {
    name: 'Venus',
    type: 'terrestrial',
    diameterKm: 12104,
    moons: 0,
    distanceAu: 0.72,
    dayHours: 5832.5,
    yearDays: 224.7,
  },
  {
    name: 'Earth',
    type: 'terrestrial',
    diameterKm: 12756,
    moons: 1,
    distanceAu: 1,
    dayHours: 23.9,
    yearDays: 365.2,
  },
  {
    name: 'Mars',
    type: 'terrestrial',
    diameterKm: 6792,
    moons: 2,
    distanceAu: 1.52,
    dayHours: 24.6,
    yearDays: 687,
  },
  {
    name: 'Jupiter',
    type: 'gas giant',
    diameterKm: 142984,
    moons: 95,
    distanceAu: 5.2,
    dayHours: 9.9,
    yearDays: 4331,
  },
  {
    name: 'Saturn',
    type: 'gas giant',
    diameterKm: 120536,
    moons: 146,
    distanceAu: 9.54,
    dayHours: 10.7,
    yearDays: 10747,
  },
  {
    name: 'Uranus',
    type: 'ice giant',
    diameterKm: 51118,
    moons: 28,
    distanceAu: 19.19,
    dayHours: 17.2,
    yearDays: 30589,
  },
  {
    name: 'Neptune',
    type: 'ice giant',
    diameterKm: 49528,
    moons: 16,
    distanceAu: 30.07,
    dayHours: 16.1,
    yearDays: 59800,
  },
];
