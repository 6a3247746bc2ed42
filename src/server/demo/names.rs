//! The static word tables the demo generator draws from: names, places, behaviours and the
//! phrases of incident write-ups, communications and plans (all fictional).

use super::DemoPhysical;

pub(super) const FIRST_NAMES: &[&str] = &[
    "Oliver", "Amelia", "Muhammad", "Olivia", "George", "Isla", "Noah", "Ava", "Arthur", "Mia", "Leo", "Ivy", "Harry",
    "Freya", "Oscar", "Lily", "Archie", "Florence", "Jack", "Grace", "Charlie", "Sophia", "Theo", "Willow", "Jacob",
    "Evie", "Freddie", "Poppy", "Alfie", "Ella", "Henry", "Aisha", "Thomas", "Zara", "Joshua", "Maryam", "William",
    "Priya", "James", "Chloe", "Ethan", "Ruby", "Aarav", "Hannah", "Kai", "Amara", "Reuben", "Fatima", "Tyler",
    "Chanel", "Kacper", "Zofia", "Dylan", "Niamh", "Rhys", "Seren", "Callum", "Eilidh", "Yusuf", "Hafsa", "Kwame",
    "Abena", "Tomasz", "Maja", "Luca", "Sienna", "Ibrahim", "Layla", "Ollie", "Jessica", "Jayden", "Keira",
];
pub(super) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Ahmed",
    "Ali",
    "Begum",
    "Hussain",
    "Singh",
    "Kaur",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Nowak",
    "Kowalski",
    "Murphy",
    "O'Brien",
    "MacDonald",
    "Campbell",
    "Nguyen",
    "Chen",
    "Rossi",
    "Da Silva",
    "Horvat",
    "Kelly",
    "Fletcher",
    "Shaw",
    "Bailey",
    "Chapman",
    "Owen",
    "Pearce",
    "Bibi",
];
pub(super) const HOUSES: &[&str] = &["Oak", "Ash", "Elm", "Willow"];
pub(super) const LOCATIONS: [&str; 10] = [
    "Classroom",
    "Corridor",
    "Playground",
    "Dining hall",
    "Sports hall",
    "Library",
    "Science lab",
    "Toilets",
    "Front entrance",
    "Minibus",
];
pub(super) const BEHAVIOURS: [(&str, &str); 20] = [
    ("On task", "positive"),
    ("Helping others", "positive"),
    ("Kind words", "positive"),
    ("Good effort", "positive"),
    ("Following instructions", "positive"),
    ("Positive contribution", "positive"),
    ("Homework completed", "positive"),
    ("Respectful", "positive"),
    ("Shouting out", "negative"),
    ("Off task", "negative"),
    ("Swearing", "negative"),
    ("Out of seat", "negative"),
    ("Unkind words", "negative"),
    ("Phone out", "negative"),
    ("Late to lesson", "negative"),
    ("Refusing work", "negative"),
    ("Disrupting others", "negative"),
    ("Uniform", "negative"),
    ("Toilet break", "neutral"),
    ("Sent to reflection", "neutral"),
];
pub(super) const CATEGORIES: [&str; 12] = [
    "Verbal abuse",
    "Physical aggression",
    "Disruption to learning",
    "Refusal to follow instructions",
    "Leaving class without permission",
    "Damage to property",
    "Bullying",
    "Discriminatory language",
    "Self-harm concern",
    "Absconding",
    "Online safety",
    "Substance misuse",
];
pub(super) const JOB_TITLES: &[&str] = &[
    "Teacher of Maths",
    "Teacher of English",
    "Teacher of Science",
    "Teacher of History",
    "Teacher of PE",
    "Teacher of Art",
    "Teacher of Computing",
    "Teacher of French",
    "Teaching assistant",
    "Learning mentor",
    "Cover supervisor",
    "Head of Year",
    "SENCo",
    "Behaviour lead",
];
pub(super) const ACTIONS: &[&str] = &[
    "shouted at another pupil and refused to calm down",
    "threw a chair across the room",
    "left the lesson without permission and would not come back",
    "pushed a classmate in the queue",
    "used offensive language towards a member of staff",
    "refused to hand over a mobile phone",
    "damaged a display board",
    "was found hiding and upset",
    "repeatedly disrupted the lesson by talking over the teacher",
    "made threats to another pupil",
];
pub(super) const PERIODS: &[&str] = &[
    "registration",
    "period 1",
    "period 2",
    "break",
    "period 3",
    "lunch",
    "period 4",
    "period 5",
];
pub(super) const PERSPECTIVES: &[&str] = &[
    "Said the other pupil had been winding them up all morning.",
    "Felt the work was too hard and did not want others to see.",
    "Said they were tired after a late night at home.",
    "Felt they were being blamed for something they had not done.",
    "Did not want to talk about it at first; later said they felt embarrassed.",
];
pub(super) const FEELINGS: &[&str] = &[
    "Angry, then upset.",
    "Embarrassed and frustrated.",
    "Anxious and overwhelmed.",
    "Sad and tired.",
    "Calmer after time in the quiet room.",
];
pub(super) const NEXT_TIMES: &[&str] = &[
    "Will use the time-out card and go to the agreed safe space.",
    "Will ask the TA for help when the work feels too hard.",
    "Will tell a member of staff instead of reacting.",
    "Will take deep breaths and count to ten.",
];
pub(super) const TRIGGERS: &[&str] = &[
    "Unstructured time.",
    "Change of routine (supply teacher).",
    "Peer conflict.",
    "Being asked to read aloud.",
    "Hunger before lunch.",
    "Noise in the corridor.",
];
pub(super) const ADJUSTMENTS: &[&str] = &[
    "Seat near the door; access to a quiet space.",
    "Work chunked into smaller tasks.",
    "Advance warning of changes to routine.",
    "Movement break after 20 minutes.",
    "Named adult to check in each morning.",
];
pub(super) const OTHER_COMMENTS: &[&str] = &[
    "",
    "Parent supportive.",
    "Linked to recent events at home.",
    "First incident this term.",
];
pub(super) const INJURIES: &[&str] = &[
    "Small graze to the knee; first aid given.",
    "Red mark on the forearm; ice pack applied.",
    "Bumped head; head injury letter sent home.",
];
pub(super) const DISCRIMINATORY: &[&str] = &[
    "Racist language.",
    "Homophobic language.",
    "Comment about disability.",
    "Sexist remark.",
];
pub(super) const FLAG_REASONS: &[&str] = &[
    "Pattern of escalation.",
    "Safeguarding concern: refer to DSL.",
    "Injury to staff.",
];
pub(super) const PHYSICAL: &[DemoPhysical] = &[
    DemoPhysical {
        low: "Pacing, raised voice",
        medium: "Throwing equipment, swearing",
        high: "Hitting out at staff",
        staff_response: "Guided away from the group using a caring C guide; calm talk.",
        alternatives: "Offered the quiet room; reduced demands.",
        deescalation_effect: 3,
        physical_effect: 4,
    },
    DemoPhysical {
        low: "Refusing to move",
        medium: "Running through corridors",
        high: "Attempting to leave site onto the road",
        staff_response: "Two staff, friendly escort back inside.",
        alternatives: "Followed at a distance; called a known adult.",
        deescalation_effect: 2,
        physical_effect: 4,
    },
    DemoPhysical {
        low: "Withdrawn, head down",
        medium: "Kicking furniture",
        high: "Fighting with a peer",
        staff_response: "Separated the pupils; single-person escort.",
        alternatives: "Verbal instruction to stop; cleared the room.",
        deescalation_effect: 4,
        physical_effect: 3,
    },
];
pub(super) const COMM_POSITIVE: &[&str] = &[
    "Fantastic effort in maths today, worked really hard.",
    "Helped a new pupil find their way around; very kind.",
    "Great contribution to the class discussion.",
];
pub(super) const COMM_NEGATIVE: &[&str] = &[
    "Struggled to settle after lunch; needed several reminders.",
    "Homework missing for the third time this week.",
    "Upset in period 2; please check in with them tomorrow.",
];
pub(super) const COMM_NA: &[&str] = &[
    "Attending a hospital appointment on Thursday.",
    "New seating plan from Monday.",
];
pub(super) const RESPONSES: &[&str] = &[
    "Thanks, I'll follow this up.",
    "Spoken to home.",
    "Noted, thank you.",
    "Will check in at registration.",
];
pub(super) const STRATEGIES: &[&str] = &[
    "Meet and greet at the door each morning; visual timetable.",
    "Use of time-out card; agreed safe space in the library.",
    "Short, clear instructions; praise for small steps.",
];
pub(super) const AGREED: &[&str] = &[
    "Staff use a calm voice and offer two choices.",
    "If leaving the room, a named adult follows at a distance.",
    "Use first name, get down to eye level, give take-up time.",
];
pub(super) const FOLLOW_UP: &[&str] = &[
    "Review with parents in six weeks.",
    "SENCo to observe two lessons.",
    "Weekly check-in with mentor.",
];
