//! The demo's publisher web: three invented outlets and their articles,
//! written for Tagline. The events are fictional.

pub struct Publisher {
    pub slug: &'static str,
    pub name: &'static str,
    pub format: FeedFormat,
    pub region: &'static str,
}

#[derive(Clone, Copy)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

pub struct DemoArticle {
    pub publisher: &'static str,
    pub slug: &'static str,
    pub title: &'static str,
    pub category: &'static str,
    pub author: &'static str,
    pub hours_ago: i64,
    pub paragraphs: &'static [&'static str],
}

pub const PUBLISHERS: &[Publisher] = &[
    Publisher { slug: "harbour", name: "Harbour Times", format: FeedFormat::Rss, region: "GB" },
    Publisher { slug: "ledger", name: "Northern Ledger", format: FeedFormat::Atom, region: "NO" },
    Publisher { slug: "wire", name: "Pacific Wire", format: FeedFormat::Json, region: "AU" },
];

pub const ARTICLES: &[DemoArticle] = &[
    DemoArticle {
        publisher: "harbour",
        slug: "eu-india-trade-talks-final-round",
        title: "EU-India trade talks enter final round in Brussels",
        category: "Business",
        author: "Amelia Hart",
        hours_ago: 2,
        paragraphs: &[
            "BRUSSELS -- Negotiators from the European Union and India opened what both sides called the final round of EU-India trade talks on Monday, aiming to settle tariffs on machinery, wine and pharmaceuticals before the end of the month.",
            "Officials in Brussels said the EU-India agreement would cut duties on more than ninety percent of goods traded between the two economies over ten years. Indian exporters of textiles and leather are expected to gain the most in the first years.",
            "Sticking points remain. European carmakers want faster cuts to Indian import duties, while New Delhi is pressing for easier visas for its software engineers and nurses working in Europe.",
            "A trade official familiar with the talks said both delegations had cleared their calendars for the week. \"Nobody flew in to leave without a text,\" the official said.",
        ],
    },
    DemoArticle {
        publisher: "ledger",
        slug: "eu-india-negotiators-close-in-on-deal",
        title: "EU-India negotiators close in on trade deal as Brussels round begins",
        category: "Business",
        author: "Jonas Berg",
        hours_ago: 3,
        paragraphs: &[
            "BRUSSELS -- The European Union and India began a final round of EU-India trade talks in Brussels on Monday, with negotiators saying a deal on tariffs for machinery, wine and medicines is within reach.",
            "The EU-India pact would remove duties on most goods traded between the two sides over a decade. India is the European Union's ninth-largest trading partner, and trade in goods has grown by a third since talks resumed.",
            "Diplomats said the remaining gaps concern car tariffs and visas for Indian professionals. Norway and Iceland, which negotiate their own agreements with India, are watching the outcome closely.",
        ],
    },
    DemoArticle {
        publisher: "wire",
        slug: "japan-south-korea-chip-research-centre",
        title: "Japan-South Korea chip partnership opens research centre in Osaka",
        category: "Technology",
        author: "Mina Park",
        hours_ago: 5,
        paragraphs: &[
            "A joint semiconductor research centre backed by companies and universities from Japan and South Korea opened in Osaka on Tuesday, the first project of the Japan-South Korea chip partnership agreed last spring.",
            "The centre will focus on advanced packaging, the step that stacks and connects chips, where both countries see a chance to lead. About two hundred engineers will work there by the end of next year.",
            "Officials said the Japan-South Korea partnership was a sign that the neighbours can cooperate on technology despite old disputes. Researchers from Seoul will rotate through Osaka on six-month placements.",
        ],
    },
    DemoArticle {
        publisher: "harbour",
        slug: "kenya-sweeps-berlin-marathon",
        title: "Kenya sweeps the podium at the Berlin Marathon",
        category: "Sports",
        author: "Tom Reyes",
        hours_ago: 9,
        paragraphs: &[
            "Runners from Kenya took all three podium places in the men's race at the Berlin Marathon on Sunday, with the winner finishing in two hours, two minutes and forty seconds on a cool, windless morning.",
            "The women's race was closer. An Ethiopian runner pulled away in the final two kilometres to win by eleven seconds, with Kenya's defending champion in second place.",
            "Organisers said a record field of more than forty-eight thousand runners started the race, which remains the fastest course in the world for marathon records.",
        ],
    },
    DemoArticle {
        publisher: "ledger",
        slug: "norway-iceland-glacier-survey",
        title: "Norway-Iceland survey maps retreating Arctic glaciers",
        category: "Science",
        author: "Ingrid Sato",
        hours_ago: 20,
        paragraphs: &[
            "Scientists from Norway and Iceland have published the most detailed map yet of glaciers around the Arctic islands they monitor, showing that ice is retreating faster at lower altitudes than models predicted.",
            "The Norway-Iceland survey combined drone flights, satellite images and measurements taken on the ice over three summers. The team found that several smaller glaciers have split into separate ice fields since the last survey.",
            "The researchers said the data will be shared openly so that climate models of the Arctic can be checked against what is happening on the ground.",
        ],
    },
    DemoArticle {
        publisher: "wire",
        slug: "australia-rural-telehealth",
        title: "Australia expands rural telehealth programme",
        category: "Health",
        author: "Liam O'Connor",
        hours_ago: 30,
        paragraphs: &[
            "Australia will extend its rural telehealth programme to another two hundred towns, the health department said on Wednesday, after patients in the first phase reported shorter waits to see specialists.",
            "The programme links local clinics with hospital doctors by video. Nurses in small towns examine patients while specialists in the cities guide the consultation and order tests.",
            "Doctors' groups welcomed the expansion but said fast internet connections in remote areas were still unreliable, and that video calls could not replace visiting specialists altogether.",
        ],
    },
    DemoArticle {
        publisher: "harbour",
        slug: "toronto-film-festival-record-crowds",
        title: "Toronto film festival opens with record crowds",
        category: "Entertainment",
        author: "Sofia Lind",
        hours_ago: 200,
        paragraphs: &[
            "The film festival in Toronto opened on Thursday with record crowds, as organisers reported that more tickets had been sold in the first week than in any previous year.",
            "More than two hundred films from sixty countries will be shown over ten days. Canada's own directors are well represented, with a dozen premieres in the main programme.",
            "Festival staff said the audience prize, voted by the public, has become a closely watched signal for the awards season that follows.",
        ],
    },
];
